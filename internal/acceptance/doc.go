// Package acceptance holds provider-level robustness tests that run the real
// Terraform CLI against the provider built as a plugin binary (installed with
// dev_overrides in a private CLI configuration), the way users' CI jobs run
// it: fault injection at the test IdP and the openEO test back-end
// (faults_test.go), a writer killed with SIGKILL (killed_writer_test.go), and
// secret-leak checks of TF_LOG=trace logs, diagnostics, state and plan files
// for every auth method (leak_test.go).
//
// The tests skip without TF_ACC, without a Terraform CLI (acctest.PreCheck)
// or without the test IdP (OPENEO_TEST_ISSUER); `make test` provides all
// three. The package has no non-test code.
package acceptance
