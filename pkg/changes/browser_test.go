package changes_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/tollgate-dev/tollgate/pkg/changes"
)

// chromiumPath finds Debian's chromium; the browser test skips without it
// on a developer machine and fails without it in CI (make deps installs
// it).
func chromiumPath(t *testing.T) string {
	t.Helper()
	// Debian's /usr/bin/chromium is a wrapper that loads extensions and API
	// keys from /etc/chromium.d: run the browser itself.
	if _, err := os.Stat("/usr/lib/chromium/chromium"); err == nil {
		return "/usr/lib/chromium/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed; CI must run the browser test (make deps installs it)")
	}
	t.Skip("chromium is not installed (make deps installs it); skipping the headless-browser test")
	return ""
}

// browser is a headless Chromium driven over the DevTools protocol.
type browser struct {
	t    *testing.T
	ws   *websocket.Conn
	next int
	// requests are the URLs of Network.requestWillBeSent events: every
	// fetch the page starts, whether or not it could succeed.
	requests []string
}

func startBrowser(t *testing.T, bin string) *browser {
	t.Helper()
	// Everything the browser itself sends (updates, sign-in) goes to a
	// loopback proxy that refuses it: the test touches no network.
	sink := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(sink.Close)
	// The profile is removed only once every process of the browser has
	// exited: its helpers (renderer, GPU, crash handler) outlive the main
	// process for a moment and still write there, which made t.TempDir's
	// removal fail now and then ("directory not empty").
	profile, err := os.MkdirTemp("", "tollgate-browser-")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--disable-extensions", "--hide-scrollbars", "--window-size=1100,1300",
		"--user-data-dir="+profile, "--proxy-server="+sink.URL, "--proxy-bypass-list=<-loopback>",
		"--remote-debugging-port=0", "about:blank")
	// Its own process group, so that the whole browser is stopped.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	if err := cmd.Start(); err != nil {
		cancel()
		_ = os.RemoveAll(profile)
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		// Wait for the rest of the group, then remove the profile.
		for deadline := time.Now().Add(10 * time.Second); syscall.Kill(-cmd.Process.Pid, 0) == nil && time.Now().Before(deadline); {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			time.Sleep(50 * time.Millisecond)
		}
		var err error
		for range 50 {
			if err = os.RemoveAll(profile); err == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Logf("browser profile %s left behind: %v", profile, err)
	})
	var port, path string
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		b, err := os.ReadFile(filepath.Join(profile, "DevToolsActivePort"))
		if lines := strings.Split(string(b), "\n"); err == nil && len(lines) >= 2 && lines[1] != "" {
			port, path = lines[0], lines[1]
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("chromium did not open its DevTools port within 60s")
		}
	}
	_ = path
	resp, err := http.Get("http://127.0.0.1:" + port + "/json/list")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var targets []struct{ Type, WebSocketDebuggerURL string }
	if err := json.NewDecoder(resp.Body).Decode(&targets); err != nil {
		t.Fatal(err)
	}
	for _, tg := range targets {
		if tg.Type == "page" {
			ws, _, err := websocket.DefaultDialer.Dial(tg.WebSocketDebuggerURL, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = ws.Close() })
			b := &browser{t: t, ws: ws}
			b.call("Network.enable", nil)
			b.call("Page.enable", nil)
			return b
		}
	}
	t.Fatalf("no page target in %+v", targets)
	return nil
}

type message struct {
	ID     int             `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Message string `json:"message"`
	} `json:"error"`
}

// read returns the next message, recording request events.
func (b *browser) read() message {
	b.t.Helper()
	_ = b.ws.SetReadDeadline(time.Now().Add(60 * time.Second))
	var m message
	if err := b.ws.ReadJSON(&m); err != nil {
		b.t.Fatalf("devtools: %v", err)
	}
	if m.Method == "Network.requestWillBeSent" {
		var p struct{ Request struct{ URL string } }
		_ = json.Unmarshal(m.Params, &p)
		b.requests = append(b.requests, p.Request.URL)
	}
	return m
}

// call sends a command and waits for its result, recording events that
// arrive meanwhile.
func (b *browser) call(method string, params any) json.RawMessage {
	b.t.Helper()
	b.next++
	id := b.next
	if err := b.ws.WriteJSON(map[string]any{"id": id, "method": method, "params": params}); err != nil {
		b.t.Fatal(err)
	}
	for {
		if m := b.read(); m.ID == id {
			if m.Error != nil {
				b.t.Fatalf("devtools %s: %s", method, m.Error.Message)
			}
			return m.Result
		}
	}
}

// open navigates to a file, waits for its load event, lets late fetches
// start, opens every <details> as a reader would, and returns the page's
// rendered text.
func (b *browser) open(path string) string {
	b.t.Helper()
	b.requests = nil
	b.call("Page.navigate", map[string]any{"url": "file://" + path})
	for {
		if m := b.read(); m.Method == "Page.loadEventFired" {
			break
		}
	}
	res := b.call("Runtime.evaluate", map[string]any{"expression": "new Promise(r => setTimeout(() => { document.querySelectorAll('details').forEach(d => d.open = true); r(document.body.innerText) }, 300))", "awaitPromise": true, "returnByValue": true})
	var v struct{ Result struct{ Value string } }
	if err := json.Unmarshal(res, &v); err != nil {
		b.t.Fatal(err)
	}
	return v.Result.Value
}

func (b *browser) screenshot(path string) {
	b.t.Helper()
	res := b.call("Page.captureScreenshot", map[string]any{"format": "png", "captureBeyondViewport": true})
	var v struct{ Data string }
	if err := json.Unmarshal(res, &v); err != nil {
		b.t.Fatal(err)
	}
	png, err := base64.StdEncoding.DecodeString(v.Data)
	if err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// TestHTMLInBrowser opens the scenario's HTML in headless Chromium: each
// section renders with its change, blocking ones first, and the page
// starts no fetch at all (DevTools Network domain). A control page with
// one external image proves a fetch would be seen.
func TestHTMLInBrowser(t *testing.T) {
	t.Parallel()
	bin := chromiumPath(t)
	oldDir, newDir := scenario(t)
	d, err := changes.Compute(snapshot(t, oldDir), snapshot(t, newDir),
		changes.WithDirs(oldDir, newDir), changes.WithDigests(reviewDigest, againstDigest))
	if err != nil {
		t.Fatal(err)
	}
	h, err := d.HTML()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	page := filepath.Join(dir, changes.HTMLFileName)
	if err := os.WriteFile(page, h, 0o644); err != nil {
		t.Fatal(err)
	}
	b := startBrowser(t, bin)
	text := b.open(page)
	if len(b.requests) != 1 || b.requests[0] != "file://"+page {
		t.Errorf("the page fetched %q, want only itself", b.requests)
	}
	want := []string{
		"3 changes since the previous review: 2 would block without an exception",
		"Prompts", "blocks", "prompt file prompts/system.md changed since review",
		"+ticket notes. Offer a goodwill voucher when a delivery is late.",
		"Permissions", "mcp-tool create_return broadened in tools/orders.tools.json: destructiveHint false → true",
		"Lock files", "does not block", "requirements.txt: package httpx changed since review (0.27.2 → 0.28.1)",
	}
	at := 0
	for _, w := range want {
		i := strings.Index(text[at:], w)
		if i < 0 {
			t.Errorf("rendered text lacks %q after offset %d:\n%s", w, at, text)
			continue
		}
		at += i
	}
	if strings.Count(text, "text diff") != 1 {
		t.Errorf("rendered text has %d text diffs, want 1", strings.Count(text, "text diff"))
	}
	if *update {
		b.screenshot(filepath.Join("..", "..", "docs", "review-changes.png"))
	}

	control := filepath.Join(dir, "control.html")
	if err := os.WriteFile(control, []byte(`<!DOCTYPE html><p>x</p><img src="http://tollgate.invalid/pixel.png">`), 0o644); err != nil {
		t.Fatal(err)
	}
	b.open(control)
	if got := fmt.Sprint(b.requests); !strings.Contains(got, "http://tollgate.invalid/pixel.png") {
		t.Fatalf("the control page's image fetch was not seen (%s): the no-fetch assertion could not fail", got)
	}
}
