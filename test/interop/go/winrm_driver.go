// Drives the real Go WinRM library (github.com/masterzen/winrm, what Packer and Terraform use) for
// the interop tests in test/interop/go-winrm.test.ts. Built offline against Debian's sources
// (apt-get install golang-go golang-github-masterzen-winrm-dev), GOPATH style:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o winrm_driver test/interop/go/winrm_driver.go
//
// Usage: winrm_driver '<json spec>', or the spec on stdin (large stdin data would pass the
// argument size limit); prints one JSON object on stdout.
// spec: {host, port, https, insecure, username, password, transport: "basic"|"ntlm", timeout?, trace?, steps: [...]}
// Each step has an "op":
//
//	run_string   client.RunWithString(command, stdin)
//	run          client.Run(command, stdout, stderr)
//	run_input    client.RunWithInput(command, stdout, stderr, strings.NewReader(stdin))
//	powershell   client.Run(winrm.Powershell(script), stdout, stderr)
//	shell        client.CreateShell (or, with attach, winrm.NewOpenShellRequest sent through the
//	             transport and client.NewShell(id)), shell.Execute(command, args...), optional
//	             cmd.Stdin write + Close, cmd.Wait, cmd.Close, shell.Close
//
// Each result carries stdout, stderr (as text), their byte lengths and SHA-256, exit_code and error.
// trace: true logs every byte the library wrote to and read from its TCP connections (HTTP only:
// on HTTPS that is ciphertext) in the result's "trace", to show exactly what went over the wire.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/masterzen/winrm"
)

type step struct {
	Op      string   `json:"op"`
	Command string   `json:"command"`
	Args    []string `json:"args"`
	Stdin   *string  `json:"stdin"`
	Script  string   `json:"script"`
	// op "shell": open the shell with the library's own Create request sent through the transport
	// and attach to it by id with client.NewShell(id), instead of client.CreateShell().
	Attach bool `json:"attach"`
}

type spec struct {
	Host      string `json:"host"`
	Port      int    `json:"port"`
	HTTPS     bool   `json:"https"`
	Insecure  bool   `json:"insecure"`
	Username  string `json:"username"`
	Password  string `json:"password"`
	Transport string `json:"transport"`
	// WS-Man OperationTimeout as an xs:duration ("PT60S" is the library's default).
	Timeout string `json:"timeout"`
	Trace   bool   `json:"trace"`
	Steps   []step `json:"steps"`
}

type result struct {
	Op           string `json:"op"`
	Stdout       string `json:"stdout"`
	Stderr       string `json:"stderr"`
	StdoutLen    int    `json:"stdout_len"`
	StderrLen    int    `json:"stderr_len"`
	StdoutSHA256 string `json:"stdout_sha256"`
	ExitCode     int    `json:"exit_code"`
	Error        string `json:"error,omitempty"`
	ShellID      string `json:"shell_id,omitempty"`
	Millis       int64  `json:"ms"`
}

type outcome struct {
	OK      bool     `json:"ok"`
	Error   string   `json:"error,omitempty"`
	Results []result `json:"results"`
	Trace   []string `json:"trace,omitempty"`
}

// tracer records the bytes of every connection, one entry per read or write burst.
type tracer struct {
	mu    sync.Mutex
	lines []string
	n     int
}

type tracedConn struct {
	net.Conn
	t  *tracer
	id int
}

func (t *tracer) add(id int, dir string, b []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lines = append(t.lines, fmt.Sprintf("conn%d %s %s", id, dir, string(b)))
}

func (c *tracedConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.t.add(c.id, "<<", b[:n])
	}
	return n, err
}

func (c *tracedConn) Write(b []byte) (int, error) {
	c.t.add(c.id, ">>", b)
	return c.Conn.Write(b)
}

func (t *tracer) dial(network, addr string) (net.Conn, error) {
	c, err := (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).Dial(network, addr)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	t.n++
	id := t.n
	t.mu.Unlock()
	t.add(id, "open", []byte(addr))
	return &tracedConn{Conn: c, t: t, id: id}, nil
}

func fill(r *result, stdout, stderr []byte, code int, err error) {
	r.Stdout = string(stdout)
	r.Stderr = string(stderr)
	r.StdoutLen = len(stdout)
	r.StderrLen = len(stderr)
	sum := sha256.Sum256(stdout)
	r.StdoutSHA256 = hex.EncodeToString(sum[:])
	r.ExitCode = code
	if err != nil {
		r.Error = err.Error()
	}
}

// driver holds what the "shell" op with attach needs: the client's transport and parameters.
type driver struct {
	client    *winrm.Client
	transport winrm.Transporter
	params    *winrm.Parameters
	url       string
}

func (d *driver) runShell(s step, r *result) {
	client := d.client
	var shell *winrm.Shell
	if s.Attach {
		req := winrm.NewOpenShellRequest(d.url, d.params)
		resp, err := d.transport.Post(client, req)
		req.Free()
		if err != nil {
			fill(r, nil, nil, -1, fmt.Errorf("Create: %w", err))
			return
		}
		id, err := winrm.ParseOpenShellResponse(resp)
		if err != nil || id == "" {
			fill(r, nil, nil, -1, fmt.Errorf("ParseOpenShellResponse: %v (response %q)", err, resp))
			return
		}
		r.ShellID = id
		shell = client.NewShell(id)
	} else {
		var err error
		shell, err = client.CreateShell()
		if err != nil {
			fill(r, nil, nil, -1, fmt.Errorf("CreateShell: %w", err))
			return
		}
	}
	defer func() {
		if err := shell.Close(); err != nil && r.Error == "" {
			r.Error = "Shell.Close: " + err.Error()
		}
	}()
	cmd, err := shell.Execute(s.Command, s.Args...)
	if err != nil {
		fill(r, nil, nil, -1, fmt.Errorf("Execute: %w", err))
		return
	}
	var stdout, stderr bytes.Buffer
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); io.Copy(&stdout, cmd.Stdout) }()
	go func() { defer wg.Done(); io.Copy(&stderr, cmd.Stderr) }()
	var inErr error
	if s.Stdin != nil {
		if _, err := cmd.Stdin.Write([]byte(*s.Stdin)); err != nil {
			inErr = fmt.Errorf("Stdin.Write: %w", err)
		} else if err := cmd.Stdin.Close(); err != nil {
			inErr = fmt.Errorf("Stdin.Close: %w", err)
		}
	}
	cmd.Wait()
	wg.Wait()
	closeErr := cmd.Close()
	if inErr == nil && closeErr != nil {
		inErr = fmt.Errorf("Command.Close: %w", closeErr)
	}
	fill(r, stdout.Bytes(), stderr.Bytes(), cmd.ExitCode(), inErr)
}

func (d *driver) runStep(s step) result {
	client := d.client
	r := result{Op: s.Op}
	start := time.Now()
	defer func() { r.Millis = time.Since(start).Milliseconds() }()
	switch s.Op {
	case "run_string":
		stdin := ""
		if s.Stdin != nil {
			stdin = *s.Stdin
		}
		out, errOut, code, err := client.RunWithString(s.Command, stdin)
		fill(&r, []byte(out), []byte(errOut), code, err)
	case "run", "powershell":
		command := s.Command
		if s.Op == "powershell" {
			command = winrm.Powershell(s.Script)
		}
		var stdout, stderr bytes.Buffer
		code, err := client.Run(command, &stdout, &stderr)
		fill(&r, stdout.Bytes(), stderr.Bytes(), code, err)
	case "run_input":
		stdin := ""
		if s.Stdin != nil {
			stdin = *s.Stdin
		}
		var stdout, stderr bytes.Buffer
		code, err := client.RunWithInput(s.Command, &stdout, &stderr, strings.NewReader(stdin))
		fill(&r, stdout.Bytes(), stderr.Bytes(), code, err)
	case "shell":
		d.runShell(s, &r)
	default:
		r.Error = "unknown op " + s.Op
	}
	r.Millis = time.Since(start).Milliseconds()
	return r
}

// endpointURL is the URL the library builds from the Endpoint (Endpoint.url is unexported).
func endpointURL(sp spec) string {
	scheme := "http"
	if sp.HTTPS {
		scheme = "https"
	}
	return fmt.Sprintf("%s://%s:%d/wsman", scheme, sp.Host, sp.Port)
}

func main() {
	out := outcome{Results: []result{}}
	emit := func() {
		b, _ := json.Marshal(out)
		fmt.Println(string(b))
	}
	var raw []byte
	switch len(os.Args) {
	case 1:
		b, err := io.ReadAll(os.Stdin)
		if err != nil {
			out.Error = "reading the spec from stdin: " + err.Error()
			emit()
			os.Exit(2)
		}
		raw = b
	case 2:
		raw = []byte(os.Args[1])
	default:
		out.Error = "usage: winrm_driver ['<json spec>'] (else the spec on stdin)"
		emit()
		os.Exit(2)
	}
	var sp spec
	if err := json.Unmarshal(raw, &sp); err != nil {
		out.Error = "bad spec: " + err.Error()
		emit()
		os.Exit(2)
	}
	endpoint := winrm.NewEndpoint(sp.Host, sp.Port, sp.HTTPS, sp.Insecure, nil, nil, nil, 0)
	params := winrm.NewParameters("PT60S", "en-US", 153600)
	if sp.Timeout != "" {
		params.Timeout = sp.Timeout
	}
	var dial func(network, addr string) (net.Conn, error)
	var tr *tracer
	if sp.Trace {
		tr = &tracer{}
		dial = tr.dial
	}
	// The library's own transports, built by its exported constructors (a nil dial means its
	// default dialer), kept so that the "shell" op with attach can post through them.
	var transport winrm.Transporter
	switch sp.Transport {
	case "", "basic":
		// The default transport: Basic credentials on every request.
		transport = winrm.NewClientWithDial(dial)
	case "ntlm":
		// winrm.ClientNTLM: go-ntlmssp's Negotiator over the same http.Transport.
		transport = winrm.NewClientNTLMWithDial(dial)
	default:
		out.Error = "unknown transport " + sp.Transport
		emit()
		os.Exit(2)
	}
	params.TransportDecorator = func() winrm.Transporter { return transport }
	client, err := winrm.NewClientWithParameters(endpoint, sp.Username, sp.Password, params)
	if err != nil {
		out.Error = "NewClient: " + err.Error()
		emit()
		os.Exit(1)
	}
	d := &driver{client: client, transport: transport, params: params, url: endpointURL(sp)}
	out.OK = true
	for _, s := range sp.Steps {
		r := d.runStep(s)
		if r.Error != "" {
			out.OK = false
		}
		out.Results = append(out.Results, r)
	}
	if tr != nil {
		out.Trace = tr.lines
	}
	emit()
}
