// Command genmodel writes the tiny, deterministic model of the example
// release: a safetensors file of a few MB (seeded pseudo-random F16
// weights), a config.json and a tokenizer.json. Same output every run, so the
// committed review record stays valid: `go run ./hack/genmodel DIR`.
package main

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
)

type tensor struct {
	name  string
	shape []int
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: genmodel DIR")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "genmodel:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tensors := []tensor{
		{"model.embed_tokens.weight", []int{1024, 512}},
		{"model.layers.0.mlp.down_proj.weight", []int{512, 1024}},
		{"lm_head.weight", []int{1024, 512}},
	}
	sort.Slice(tensors, func(i, j int) bool { return tensors[i].name < tensors[j].name })
	header := map[string]any{"__metadata__": map[string]string{"format": "pt", "producer": "tollgate hack/genmodel"}}
	var offset int
	for _, t := range tensors {
		n := 2
		for _, d := range t.shape {
			n *= d
		}
		header[t.name] = map[string]any{"dtype": "F16", "shape": t.shape, "data_offsets": []int{offset, offset + n}}
		offset += n
	}
	hb, err := json.Marshal(header)
	if err != nil {
		return err
	}
	for len(hb)%8 != 0 {
		hb = append(hb, ' ')
	}
	rng := rand.New(rand.NewPCG(20261125, 1))
	out := make([]byte, 0, 8+len(hb)+offset)
	out = binary.LittleEndian.AppendUint64(out, uint64(len(hb)))
	out = append(out, hb...)
	for i := 0; i < offset/2; i++ {
		// small F16 values: sign, exponent 0b01010..0b01110, random mantissa
		v := uint16(rng.IntN(2))<<15 | uint16(10+rng.IntN(5))<<10 | uint16(rng.IntN(1024))
		out = binary.LittleEndian.AppendUint16(out, v)
	}
	if err := os.WriteFile(filepath.Join(dir, "model.safetensors"), out, 0o644); err != nil {
		return err
	}
	config := `{
  "_name_or_path": "tollgate-examples/support-agent-mini",
  "architectures": ["LlamaForCausalLM"],
  "hidden_size": 512,
  "intermediate_size": 1024,
  "model_type": "llama",
  "num_attention_heads": 8,
  "num_hidden_layers": 1,
  "torch_dtype": "float16",
  "transformers_version": "4.46.0",
  "version": "1.4.0",
  "vocab_size": 1024
}
`
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(config), 0o644); err != nil {
		return err
	}
	vocab := map[string]int{}
	for i := 0; i < 1024; i++ {
		vocab[fmt.Sprintf("tok%04d", i)] = i
	}
	tok := map[string]any{"version": "1.0", "model": map[string]any{"type": "BPE", "vocab": vocab, "merges": []string{}}}
	tb, err := json.MarshalIndent(tok, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "tokenizer.json"), append(tb, '\n'), 0o644)
}
