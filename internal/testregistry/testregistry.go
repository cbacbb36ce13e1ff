package testregistry

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Binary is where Debian installs docker-registry.
const Binary = "/usr/bin/docker-registry"

var (
	once    sync.Once
	addr    string
	startEr error
)

// Addr returns host:port of a running registry, starting one for the whole
// test binary on first use. The registry is stopped when the process exits
// (it runs in the test's process group and dies with its parent via
// Pdeathsig).
func Addr(t testing.TB) string {
	t.Helper()
	once.Do(func() { addr, startEr = start() })
	if startEr != nil {
		t.Fatalf("test registry: %v", startEr)
	}
	return addr
}

func start() (string, error) {
	if a := os.Getenv("TOLLGATE_TEST_REGISTRY"); a != "" {
		return a, waitReady(a, 10*time.Second)
	}
	if _, err := os.Stat(Binary); err != nil {
		return "", fmt.Errorf("%s not found: install it with hack/install-deps.sh (apt-get install docker-registry) or set TOLLGATE_TEST_REGISTRY", Binary)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	a := l.Addr().String()
	l.Close()
	dir, err := os.MkdirTemp("", "tollgate-registry-")
	if err != nil {
		return "", err
	}
	cfg := fmt.Sprintf(`version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: true
http:
  addr: %s
`, filepath.Join(dir, "data"), a)
	cfgPath := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		return "", err
	}
	cmd := exec.CommandContext(context.Background(), Binary, "serve", cfgPath)
	cmd.Stdout, cmd.Stderr = nil, nil
	setDeathSignal(cmd)
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("start %s: %w", Binary, err)
	}
	go func() { _ = cmd.Wait(); os.RemoveAll(dir) }()
	return a, waitReady(a, 15*time.Second)
}

func waitReady(a string, d time.Duration) error {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + a + "/v2/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("registry at %s did not answer /v2/ within %s", a, d)
}
