process.env.STRATUM_TEST_DB = 'sqlite';
