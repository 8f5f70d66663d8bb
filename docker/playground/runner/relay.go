package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// The module relay: while the go command builds, the runner serves it a GOPROXY on the sandbox's own
// loopback and hands every request to the server over the container's stdin and stdout, the only
// channel out of a sandbox with no network. The server validates the path, answers from its module
// cache or its upstream proxy, and caps what one program may fetch. The listener is closed before the
// program runs, so the program never reaches it.
//
// On stdout, after the ready line, each request is one line {"fetch":{"id":N,"path":"MODULE/@v/list"}};
// the result line comes last, as always. On stdin, after the header, each answer is one line
// {"id":N,"status":200,"length":L} followed by exactly L bytes of body.

// relayAddr is where the go command finds the relay: a fixed loopback port, so a test program can
// prove it is closed by the time the program runs.
const relayAddr = "127.0.0.1:7878"

// maxRelayBody bounds one answer the runner accepts from the server (the server's own largest-file
// limit is lower).
const maxRelayBody = 512 << 20

// maxAnswerLine bounds an answer's header line.
const maxAnswerLine = 4 << 10

// ModuleSettings in a header turns the relay on.
type ModuleSettings struct {
	Sumdb string `json:"sumdb"` // the checksum database the go command verifies against, or "off"
}

// sumdb is the GOSUMDB setting: the server's checksum database, or off.
func (m *ModuleSettings) sumdb() string {
	if m.Sumdb == "" {
		return "off"
	}
	return m.Sumdb
}

// relayRequest is the line the runner writes for each request of the go command.
type relayRequest struct {
	Fetch struct {
		ID   int64  `json:"id"`
		Path string `json:"path"`
	} `json:"fetch"`
}

// relayAnswer heads each answer the server writes.
type relayAnswer struct {
	ID          int64  `json:"id"`
	Status      int    `json:"status"`
	Length      int64  `json:"length"`
	ContentType string `json:"contentType"`
}

type answer struct {
	relayAnswer
	body []byte
}

// relay is a running loopback GOPROXY whose answers come from the server.
type relay struct {
	out      *lockedWriter
	listener net.Listener
	server   *http.Server
	mu       sync.Mutex
	nextID   int64
	waiting  map[int64]chan answer
	broken   error // the server's side of stdin failed: every request fails
	done     chan struct{}
}

// lockedWriter serializes whole lines from several goroutines onto one stream.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) writeLine(v any) error {
	line, err := json.Marshal(v)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	_, err = l.w.Write(append(line, '\n'))
	return err
}

// startRelay listens on relayAddr and starts reading the server's answers from in.
func startRelay(in *bufio.Reader, out *lockedWriter) (*relay, error) {
	ln, err := net.Listen("tcp", relayAddr)
	if err != nil {
		return nil, fmt.Errorf("module relay: %v", err)
	}
	r := &relay{out: out, listener: ln, waiting: map[int64]chan answer{}, done: make(chan struct{})}
	r.server = &http.Server{Handler: r, ReadHeaderTimeout: 5 * time.Second}
	go r.server.Serve(ln)
	go r.readAnswers(in)
	return r, nil
}

// proxyURL is the GOPROXY entry of the relay.
func (r *relay) proxyURL() string { return "http://" + relayAddr }

// close stops the listener and every request still waiting; the program starts only after it returns.
func (r *relay) close() {
	r.server.Close()
	r.fail(errors.New("the build is over"))
}

// ServeHTTP relays one GET of the go command to the server and copies its answer back.
func (r *relay) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	path := strings.TrimPrefix(req.URL.EscapedPath(), "/")
	ch, id, err := r.ask(path)
	if err != nil {
		http.Error(w, "compilerd: "+err.Error(), http.StatusBadGateway)
		return
	}
	select {
	case a, ok := <-ch:
		if !ok {
			http.Error(w, "compilerd: the module relay stopped", http.StatusBadGateway)
			return
		}
		if a.ContentType != "" {
			w.Header().Set("Content-Type", a.ContentType)
		}
		w.WriteHeader(a.Status)
		w.Write(a.body)
	case <-req.Context().Done():
		r.forget(id)
	}
}

// ask sends one request line and returns where its answer will arrive.
func (r *relay) ask(path string) (chan answer, int64, error) {
	r.mu.Lock()
	if r.broken != nil {
		err := r.broken
		r.mu.Unlock()
		return nil, 0, err
	}
	r.nextID++
	id := r.nextID
	ch := make(chan answer, 1)
	r.waiting[id] = ch
	r.mu.Unlock()
	var line relayRequest
	line.Fetch.ID, line.Fetch.Path = id, path
	if err := r.out.writeLine(line); err != nil {
		r.forget(id)
		return nil, 0, err
	}
	return ch, id, nil
}

func (r *relay) forget(id int64) {
	r.mu.Lock()
	delete(r.waiting, id)
	r.mu.Unlock()
}

// fail ends every waiting request and refuses new ones.
func (r *relay) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.broken == nil {
		r.broken = err
	}
	for id, ch := range r.waiting {
		close(ch)
		delete(r.waiting, id)
	}
}

// readAnswers reads answer frames until stdin ends or breaks the protocol.
func (r *relay) readAnswers(in *bufio.Reader) {
	for {
		a, err := readAnswer(in)
		if err != nil {
			r.fail(fmt.Errorf("module relay: %v", err))
			return
		}
		r.mu.Lock()
		ch := r.waiting[a.ID]
		delete(r.waiting, a.ID)
		r.mu.Unlock()
		if ch != nil {
			ch <- a
		}
	}
}

// readAnswer reads one answer: a bounded JSON line, then exactly its length of body.
func readAnswer(in *bufio.Reader) (answer, error) {
	line, err := readLine(in, maxAnswerLine)
	if err != nil {
		return answer{}, err
	}
	var a answer
	if err := json.Unmarshal(line, &a.relayAnswer); err != nil {
		return answer{}, fmt.Errorf("bad answer line: %v", err)
	}
	if a.Length < 0 || a.Length > maxRelayBody || a.Status < 100 || a.Status > 599 {
		return answer{}, fmt.Errorf("bad answer: status %d, %d bytes", a.Status, a.Length)
	}
	a.body = make([]byte, a.Length)
	if _, err := io.ReadFull(in, a.body); err != nil {
		return answer{}, fmt.Errorf("answer %d cut short: %v", a.ID, err)
	}
	return a, nil
}

// readLine reads one line of at most limit bytes (newline included), without the newline.
func readLine(in *bufio.Reader, limit int) ([]byte, error) {
	var line []byte
	for {
		chunk, err := in.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > limit {
			return nil, fmt.Errorf("line over %d bytes", limit)
		}
		switch {
		case err == nil:
			return line[:len(line)-1], nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err == io.EOF && len(line) > 0:
			return line, nil
		default:
			return nil, err
		}
	}
}
