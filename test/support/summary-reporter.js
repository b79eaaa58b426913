/**
 * Writes jest's aggregated counts to $JEST_JSON_OUTPUT (used by .ci/run for its closing
 * "N passed, N failed" line). Does nothing when the variable is unset.
 */
const { writeFileSync } = require('node:fs');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const out = process.env.JEST_JSON_OUTPUT;
    if (!out) return;
    const { numPassedTests, numFailedTests, numPendingTests, numRuntimeErrorTestSuites, numTotalTests } = results;
    writeFileSync(out, JSON.stringify({ numPassedTests, numFailedTests, numPendingTests, numRuntimeErrorTestSuites, numTotalTests }));
  }
}

module.exports = SummaryReporter;
