package main

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// contractJSON is the protocol's shared constants and file-name examples; the server reads the same file.
//
//go:embed contract.json
var contractJSON []byte

// Contract is contract.json, field for field.
type Contract struct {
	ReadyLine         string `json:"readyLine"`
	MaxHeaderBytes    int    `json:"maxHeaderBytes"`
	MaxFiles          int    `json:"maxFiles"`
	MaxFileNameLength int    `json:"maxFileNameLength"`
	MaxPathDepth      int    `json:"maxPathDepth"`
	FileNamePattern   string `json:"fileNamePattern"`
	MaxOutputLimit    int    `json:"maxOutputLimit"`
	MaxErrorsBytes    int    `json:"maxErrorsBytes"`
	FramingFactor     int    `json:"framingFactor"`
	FramingSlackBytes int    `json:"framingSlackBytes"`
	MaxTimeoutMs      int64  `json:"maxTimeoutMs"`
	// The longest -test.bench or -test.run pattern a bench request may carry.
	MaxBenchPatternBytes int `json:"maxBenchPatternBytes"`
	FileNames            struct {
		Valid   []string `json:"valid"`
		Invalid []string `json:"invalid"`
	} `json:"fileNames"`

	fileNameRE *regexp.Regexp
}

// contract is parsed once at start-up: a malformed file is a build mistake, so it panics.
var contract = mustParseContract(contractJSON)

func mustParseContract(data []byte) *Contract {
	c, err := parseContract(data)
	if err != nil {
		panic("runner: contract.json: " + err.Error())
	}
	return c
}

func parseContract(data []byte) (*Contract, error) {
	var c Contract
	dec := json.NewDecoder(strings.NewReader(string(data)))
	if err := dec.Decode(&c); err != nil {
		return nil, err
	}
	re, err := regexp.Compile(c.FileNamePattern)
	if err != nil {
		return nil, fmt.Errorf("fileNamePattern: %v", err)
	}
	c.fileNameRE = re
	switch {
	case c.ReadyLine == "" || strings.ContainsAny(c.ReadyLine, "\r\n"):
		return nil, fmt.Errorf("readyLine must be one non-empty line")
	case c.MaxHeaderBytes <= 0 || c.MaxFiles <= 0 || c.MaxFileNameLength <= 0 || c.MaxPathDepth <= 0,
		c.MaxOutputLimit <= 0 || c.MaxErrorsBytes <= 0 || c.FramingFactor <= 0 || c.FramingSlackBytes < 0,
		c.MaxTimeoutMs <= 0 || c.MaxBenchPatternBytes <= 0:
		return nil, fmt.Errorf("every limit must be positive")
	}
	return &c, nil
}

func (c *Contract) maxTimeout() time.Duration {
	return time.Duration(c.MaxTimeoutMs) * time.Millisecond
}

// rawLimit bounds the framed bytes kept for a payload limit: a one-byte write costs framingFactor bytes.
func (c *Contract) rawLimit(payload int) int {
	return c.FramingFactor*payload + c.FramingSlackBytes
}

// checkName is the contract's file-name rule: ASCII letters, digits and ._-/ only, bounded length, a
// relative path of fewer than maxPathDepth slashes whose elements are neither empty, "." nor "..".
func (c *Contract) checkName(name string) error {
	switch {
	case name == "" || len(name) > c.MaxFileNameLength:
		return fmt.Errorf("invalid file name %q: must be 1 to %d characters", name, c.MaxFileNameLength)
	case !c.fileNameRE.MatchString(name):
		return fmt.Errorf("invalid file name %q: only ASCII letters, digits and . _ - / are allowed", name)
	case strings.Count(name, "/") >= c.MaxPathDepth:
		return fmt.Errorf("invalid file name %q: nested too deeply (fewer than %d slashes)", name, c.MaxPathDepth)
	}
	for _, elem := range strings.Split(name, "/") {
		if elem == "" || elem == "." || elem == ".." {
			return fmt.Errorf("invalid file name %q: must be a clean relative path", name)
		}
	}
	return nil
}
