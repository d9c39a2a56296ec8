// Package e2e holds the end-to-end tests: they build the goldmine binary
// once (TestMain) and run it as a process, the way an operator does:
// crashes and signals, restarts on the same database, clusters of nodes
// on PostgreSQL, `goldmine admin` beside a running server, quick
// match across a restart, the release and container scripts.
//
//	go test ./e2e                       # all of them
//	go test ./e2e -run 'TestCluster$'   # one
//	go test -short ./e2e                # skips the long ones
//
// The cluster tests need GOLDMINE_TEST_POSTGRES (see internal/pgtest),
// TestClusterSDK needs Node and TestContainerImage podman: without them
// they skip and say why, or fail with CI=true. The package has no code of
// its own, only this comment and its tests.
package e2e
