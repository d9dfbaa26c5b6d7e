package kubelet

import (
	"io"
	"sync"
)

// output fans one stream of a container's main process out to its log buffer and to attached clients. A client
// that cannot keep up is dropped rather than allowed to stall the process.
type output struct {
	mu          sync.Mutex
	log         []byte // the newest logLimit bytes, served as the container log
	subscribers map[chan []byte]struct{}
	closed      bool
}

const logLimit = 256 << 10

func newOutput() *output { return &output{subscribers: map[chan []byte]struct{}{}} }

func (o *output) Write(p []byte) (int, error) {
	chunk := append([]byte(nil), p...)
	o.mu.Lock()
	defer o.mu.Unlock()
	o.log = append(o.log, chunk...)
	if len(o.log) > logLimit {
		o.log = append([]byte(nil), o.log[len(o.log)-logLimit:]...)
	}
	for ch := range o.subscribers {
		select {
		case ch <- chunk:
		default:
			delete(o.subscribers, ch)
			close(ch)
		}
	}
	return len(p), nil
}

// subscribe returns a channel of new output, closed when the process ends or the reader fell behind, and the log
// so far (for followed logs).
func (o *output) subscribe() (chan []byte, []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	ch := make(chan []byte, 1024)
	if o.closed {
		close(ch)
	} else {
		o.subscribers[ch] = struct{}{}
	}
	return ch, append([]byte(nil), o.log...)
}

func (o *output) unsubscribe(ch chan []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.subscribers[ch]; ok {
		delete(o.subscribers, ch)
		close(ch)
	}
}

func (o *output) close() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.closed = true
	for ch := range o.subscribers {
		close(ch)
	}
	o.subscribers = map[chan []byte]struct{}{}
}

func (o *output) snapshot() []byte {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]byte(nil), o.log...)
}

// pump copies subscribed output to w until the channel closes or a write fails (the client went away).
func pump(ch <-chan []byte, w io.Writer) error {
	for chunk := range ch {
		if _, err := w.Write(chunk); err != nil {
			return err
		}
	}
	return nil
}
