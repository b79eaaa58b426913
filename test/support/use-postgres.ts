process.env.STRATUM_TEST_DB = 'postgres';
