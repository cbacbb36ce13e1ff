package testregistry_test

import (
	"net/http"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/testregistry"
)

func TestRegistryAnswers(t *testing.T) {
	t.Parallel()
	a := testregistry.Addr(t)
	resp, err := http.Get("http://" + a + "/v2/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /v2/ = %d", resp.StatusCode)
	}
}
