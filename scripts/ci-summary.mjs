// Prints "N passed, N failed" summed over Jest --json result files, so CI is judged by its tests.
import { readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
for (const file of process.argv.slice(2)) {
  try {
    const result = JSON.parse(readFileSync(file, 'utf8'));
    passed += result.numPassedTests;
    failed += result.numFailedTests + (result.numRuntimeErrorTestSuites ?? 0);
  } catch {
    failed += 1;
    console.error(`could not read ${file}`);
  }
}
console.log(`${passed} passed, ${failed} failed`);
