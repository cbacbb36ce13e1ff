// Package check runs one check the way every container task does: it calls
// the check's function, writes its evidence report to the evidence
// directory and its results (verdict, report-digest, summary, and any
// extras) to the results directory, and on an internal error still writes
// verdict=error before returning the error. Checks never fail the run for
// findings; the verdict carries them.
package check
