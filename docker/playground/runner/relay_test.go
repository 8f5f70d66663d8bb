package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// fakeServer plays the server's half of the relay: it reads request lines and answers each with body
// "answer to PATH" (status 404 for paths containing "missing").
func fakeServer(t *testing.T, requests io.Reader, answers io.Writer) {
	sc := bufio.NewScanner(requests)
	for sc.Scan() {
		var req relayRequest
		if err := json.Unmarshal(sc.Bytes(), &req); err != nil {
			t.Errorf("bad request line %q: %v", sc.Text(), err)
			return
		}
		status, body := 200, "answer to "+req.Fetch.Path
		if strings.Contains(req.Fetch.Path, "missing") {
			status, body = 404, "not found: "+req.Fetch.Path
		}
		fmt.Fprintf(answers, "{\"id\":%d,\"status\":%d,\"length\":%d}\n%s", req.Fetch.ID, status, len(body), body)
	}
}

func TestTheRelayServesTheGoCommandFromTheServersAnswersUntilItCloses(t *testing.T) {
	reqR, reqW := io.Pipe()
	ansR, ansW := io.Pipe()
	go fakeServer(t, reqR, ansW)
	r, err := startRelay(bufio.NewReader(ansR), &lockedWriter{w: reqW})
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	for path, want := range map[string]string{
		"golang.org/x/tour/@v/list":         "200 answer to golang.org/x/tour/@v/list",
		"example.com/!upper/@v/v1.0.0.info": "200 answer to example.com/!upper/@v/v1.0.0.info",
		"example.com/missing/@v/list":       "404 not found: example.com/missing/@v/list",
		"sumdb/sum.golang.org/supported":    "200 answer to sumdb/sum.golang.org/supported",
	} {
		resp, err := client.Get(r.proxyURL() + "/" + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if got := fmt.Sprintf("%d %s", resp.StatusCode, body); got != want {
			t.Errorf("GET %s: %q, want %q", path, got, want)
		}
	}
	r.close()
	if _, err := client.Get(r.proxyURL() + "/golang.org/x/tour/@v/list"); err == nil {
		t.Error("the relay still answers after close: a program could reach it")
	}
	reqW.Close()
	ansW.Close()
}

func TestABrokenAnswerStreamFailsEveryRequestInsteadOfHanging(t *testing.T) {
	reqR, reqW := io.Pipe()
	go io.Copy(io.Discard, reqR)
	r, err := startRelay(bufio.NewReader(strings.NewReader("{\"id\":1,\"status\":200,\"length\":99}\nshort")),
		&lockedWriter{w: reqW})
	if err != nil {
		t.Fatal(err)
	}
	defer r.close()
	time.Sleep(100 * time.Millisecond) // the reader finds the stream broken
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(r.proxyURL() + "/a.example/@v/list")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway {
		t.Errorf("status %d, want 502", resp.StatusCode)
	}
}

func TestReadLineBoundsTheLine(t *testing.T) {
	in := bufio.NewReaderSize(strings.NewReader(strings.Repeat("x", 40)+"\nok\n"), 16)
	if _, err := readLine(in, 32); err == nil {
		t.Error("a 41-byte line passed a 32-byte limit")
	}
	in = bufio.NewReaderSize(strings.NewReader(strings.Repeat("y", 20)+"\nok"), 16)
	if line, err := readLine(in, 32); err != nil || string(line) != strings.Repeat("y", 20) {
		t.Errorf("readLine = %q, %v", line, err)
	}
	if line, err := readLine(in, 32); err != nil || string(line) != "ok" {
		t.Errorf("last line without newline = %q, %v", line, err)
	}
}
