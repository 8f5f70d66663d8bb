package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestEveryValidExampleNameIsAccepted(t *testing.T) {
	if len(contract.FileNames.Valid) == 0 {
		t.Fatal("contract.json lists no valid file names")
	}
	for _, name := range contract.FileNames.Valid {
		if err := contract.checkName(name); err != nil {
			t.Errorf("checkName(%q) = %v, want accepted", name, err)
		}
	}
}

func TestEveryInvalidExampleNameIsRefused(t *testing.T) {
	if len(contract.FileNames.Invalid) == 0 {
		t.Fatal("contract.json lists no invalid file names")
	}
	for _, name := range contract.FileNames.Invalid {
		if err := contract.checkName(name); err == nil {
			t.Errorf("checkName(%q) accepted it, want refused", name)
		}
	}
}

func TestNameRuleFollowsTheContractsLimits(t *testing.T) {
	longest := strings.Repeat("a", contract.MaxFileNameLength)
	if err := contract.checkName(longest); err != nil {
		t.Errorf("a name of maxFileNameLength characters is refused: %v", err)
	}
	if err := contract.checkName(longest + "a"); err == nil {
		t.Error("a name over maxFileNameLength is accepted")
	}
	deepest := strings.Repeat("d/", contract.MaxPathDepth-1) + "x.go"
	if err := contract.checkName(deepest); err != nil {
		t.Errorf("%q (fewer than maxPathDepth slashes) is refused: %v", deepest, err)
	}
	if err := contract.checkName("d/" + deepest); err == nil {
		t.Errorf("%q (maxPathDepth slashes) is accepted", "d/"+deepest)
	}
	for _, name := range []string{"a/./b.go", "a/..", "..", ".", "a/", "/"} {
		if err := contract.checkName(name); err == nil {
			t.Errorf("%q is accepted", name)
		}
	}
}

func TestContractFileIsWhatTheRunnerUses(t *testing.T) {
	var raw map[string]any
	if err := json.Unmarshal(contractJSON, &raw); err != nil {
		t.Fatal(err)
	}
	if raw["readyLine"] != contract.ReadyLine || raw["fileNamePattern"] != contract.FileNamePattern {
		t.Errorf("parsed contract differs from the file: %v", raw)
	}
	if got := contract.rawLimit(1000); got != contract.FramingFactor*1000+contract.FramingSlackBytes {
		t.Errorf("rawLimit(1000) = %d", got)
	}
}

func TestMalformedContractsAreRefused(t *testing.T) {
	for _, bad := range []string{
		`{`,
		`{"readyLine": "", "maxHeaderBytes": 1, "maxFiles": 1, "maxFileNameLength": 1, "maxPathDepth": 1, "fileNamePattern": ".", "maxOutputLimit": 1, "maxErrorsBytes": 1, "framingFactor": 1, "maxTimeoutMs": 1}`,
		`{"readyLine": "r", "maxHeaderBytes": 0, "maxFiles": 1, "maxFileNameLength": 1, "maxPathDepth": 1, "fileNamePattern": ".", "maxOutputLimit": 1, "maxErrorsBytes": 1, "framingFactor": 1, "maxTimeoutMs": 1}`,
		`{"readyLine": "r", "maxHeaderBytes": 1, "maxFiles": 1, "maxFileNameLength": 1, "maxPathDepth": 1, "fileNamePattern": "(", "maxOutputLimit": 1, "maxErrorsBytes": 1, "framingFactor": 1, "maxTimeoutMs": 1}`,
	} {
		if _, err := parseContract([]byte(bad)); err == nil {
			t.Errorf("parseContract(%s) succeeded", bad)
		}
	}
}
