package artifact

// LessName exposes the model-signing ordering to the external tests.
var LessName = lessName

// WithBufSize sets the read buffer size, for the buffer-size benchmark.
func WithBufSize(n int) Option { return func(o *options) { o.bufSize = n } }

var ComparePath = comparePath
