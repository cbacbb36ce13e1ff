package cli

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

// Clock is the one clock of a command. Now is the wall clock: signatures,
// key and certificate validity windows, exception expiry and attestation
// age are judged at it. Stamp is the time written into reports,
// attestations and approvals: SOURCE_DATE_EPOCH when it is set, so that
// the same input gives byte-identical output, else the wall clock. Stamp
// never decides anything.
type Clock struct {
	Now   func() time.Time
	Stamp func() time.Time
}

// SystemClock is the wall clock with SOURCE_DATE_EPOCH (read once, here)
// for stamps. An unparsable SOURCE_DATE_EPOCH is an error: a reproducible
// build that silently falls back to the wall clock is not one.
func SystemClock() (Clock, error) {
	c := Clock{Now: wall, Stamp: wall}
	if s, ok := os.LookupEnv("SOURCE_DATE_EPOCH"); ok && s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return c, fmt.Errorf("SOURCE_DATE_EPOCH=%q is not a number of seconds: %w", s, err)
		}
		t := time.Unix(n, 0).UTC()
		c.Stamp = func() time.Time { return t }
	}
	return c, nil
}

// FixedClock judges and stamps at t (tests).
func FixedClock(t time.Time) Clock {
	t = t.UTC()
	f := func() time.Time { return t }
	return Clock{Now: f, Stamp: f}
}

func wall() time.Time { return time.Now().UTC() }
