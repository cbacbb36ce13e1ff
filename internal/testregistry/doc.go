// Package testregistry gives tests a real OCI registry: Debian's
// docker-registry (distribution 2.8) started on a loopback port with its
// storage in a temporary directory, or the registry named by
// TOLLGATE_TEST_REGISTRY (host:port) when the test script already started
// one. It never mocks: when neither is available the test fails and says
// how to install the registry (hack/install-deps.sh).
package testregistry
