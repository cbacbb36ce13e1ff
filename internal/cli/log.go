package cli

import (
	"context"
	"fmt"
	"io"
	"os"

	"go.uber.org/zap"
	"go.uber.org/zap/buffer"
	"go.uber.org/zap/zapcore"
	"golang.org/x/term"

	"github.com/tollgate-dev/tollgate/pkg/redact"
)

type loggerKey struct{}

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// NewLogger builds a zap logger writing to w. format is "auto" (console on
// a terminal, JSON otherwise), "console" or "json"; level is a zap level.
func NewLogger(w io.Writer, format, level string) (*zap.Logger, error) {
	lvl, err := zapcore.ParseLevel(level)
	if err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	if format == "auto" || format == "" {
		format = "json"
		if IsTerminal(w) {
			format = "console"
		}
	}
	cfg := zap.NewProductionEncoderConfig()
	cfg.TimeKey = "ts"
	cfg.EncodeTime = zapcore.RFC3339TimeEncoder
	var enc zapcore.Encoder
	switch format {
	case "json":
		enc = zapcore.NewJSONEncoder(cfg)
	case "console":
		cfg.EncodeLevel = zapcore.CapitalLevelEncoder
		cfg.TimeKey = ""
		cfg.CallerKey = ""
		enc = zapcore.NewConsoleEncoder(cfg)
	default:
		return nil, fmt.Errorf("--log-format must be auto, console or json, got %q", format)
	}
	core := zapcore.NewCore(escaping{enc}, zapcore.AddSync(w), lvl)
	return zap.New(core), nil
}

// escaping escapes control characters in log messages and string fields
// (file names hold whatever the artefact's author chose), so that no
// name can colour a terminal or forge a log line.
type escaping struct{ zapcore.Encoder }

func (e escaping) Clone() zapcore.Encoder { return escaping{e.Encoder.Clone()} }

func (e escaping) AddString(k, v string) { e.Encoder.AddString(k, redact.Escape(v)) }

func (e escaping) EncodeEntry(ent zapcore.Entry, fields []zapcore.Field) (*buffer.Buffer, error) {
	ent.Message = redact.Escape(ent.Message)
	out := make([]zapcore.Field, len(fields))
	for i, f := range fields {
		switch f.Type {
		case zapcore.StringType:
			f.String = redact.Escape(f.String)
		case zapcore.ErrorType:
			if err, ok := f.Interface.(error); ok && err != nil {
				f = zap.String(f.Key, redact.Escape(err.Error()))
			}
		case zapcore.StringerType:
			if s, ok := f.Interface.(fmt.Stringer); ok && s != nil {
				f = zap.String(f.Key, redact.Escape(s.String()))
			}
		}
		out[i] = f
	}
	return e.Encoder.EncodeEntry(ent, out)
}

// WithLogger stores l in ctx.
func WithLogger(ctx context.Context, l *zap.Logger) context.Context {
	return context.WithValue(ctx, loggerKey{}, l)
}

// Logger returns the logger in ctx, or a no-op logger.
func Logger(ctx context.Context) *zap.Logger {
	if l, ok := ctx.Value(loggerKey{}).(*zap.Logger); ok {
		return l
	}
	return zap.NewNop()
}
