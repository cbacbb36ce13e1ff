package cli

import (
	"io"
	"sync"

	"github.com/schollz/progressbar/v3"
)

// Progress is a byte-count progress bar that draws only on a terminal and
// only once work has gone on long enough to be worth showing. Its methods
// are safe on a nil *Progress, which shows nothing: NewProgress returns nil
// off a terminal and callers need not check.
type Progress struct {
	w           io.Writer
	description string
	mu          sync.Mutex
	bar         *progressbar.ProgressBar
}

// NewProgress returns a progress reporter writing to w, or nil when w is
// not a terminal (callers pass nil through as "no progress").
func NewProgress(w io.Writer, description string) *Progress {
	if !IsTerminal(w) {
		return nil
	}
	return &Progress{w: w, description: description}
}

// Start sets the total number of bytes.
func (p *Progress) Start(total int64) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bar = progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(p.description),
		progressbar.OptionShowBytes(true),
		progressbar.OptionThrottle(100_000_000),
		progressbar.OptionSetVisibility(total > 256<<20),
		progressbar.OptionClearOnFinish(),
	)
}

// Add records n more bytes.
func (p *Progress) Add(n int64) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		_ = p.bar.Add64(n)
	}
}

// Finish clears the bar.
func (p *Progress) Finish() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
