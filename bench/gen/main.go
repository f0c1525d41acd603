// Command gen writes a synthetic Go heap profile for leakhunt's benchmark: thousands of distinct allocation
// sites under deep, partly shared call stacks, shaped like runtime/pprof's heap output (four heap sample
// types, a "bytes" numeric label on every sample, inlined frames, one mapping). It is written with
// google/pprof's own profile package so the bytes are exactly what Go tooling produces.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"

	"github.com/google/pprof/profile"
)

type counter struct{ n int64 }

func (c *counter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

func main() {
	out := flag.String("out", "", "output .pb.gz file")
	samples := flag.Int("samples", 10000, "number of samples (distinct stacks)")
	sites := flag.Int("sites", 5000, "number of distinct allocation-site functions")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "usage: gen -out FILE [-samples N] [-sites N] [-seed N]")
		os.Exit(2)
	}
	rng := rand.New(rand.NewPCG(*seed, 42))

	m := &profile.Mapping{ID: 1, Start: 0x400000, Limit: 0x4000000, File: "/usr/local/bin/ecu-service", HasFunctions: true}
	p := &profile.Profile{
		SampleType: []*profile.ValueType{
			{Type: "alloc_objects", Unit: "count"},
			{Type: "alloc_space", Unit: "bytes"},
			{Type: "inuse_objects", Unit: "count"},
			{Type: "inuse_space", Unit: "bytes"},
		},
		PeriodType: &profile.ValueType{Type: "space", Unit: "bytes"},
		Period:     512 * 1024,
		TimeNanos:  1_700_000_000_000_000_000,
		Mapping:    []*profile.Mapping{m},
	}

	newFunc := func(name, file string) *profile.Function {
		f := &profile.Function{ID: uint64(len(p.Function) + 1), Name: name, SystemName: name, Filename: file, StartLine: int64(10 + rng.IntN(500))}
		p.Function = append(p.Function, f)
		return f
	}
	newLoc := func(lines ...profile.Line) *profile.Location {
		l := &profile.Location{ID: uint64(len(p.Location) + 1), Mapping: m, Address: 0x400000 + uint64(len(p.Location))*24, Line: lines}
		p.Location = append(p.Location, l)
		return l
	}
	// Each function gets a few call-site locations; a fifth of them carry an inlined callee frame first.
	locsOf := func(f *profile.Function, n int, inl []*profile.Function) []*profile.Location {
		ls := make([]*profile.Location, n)
		for i := range ls {
			line := profile.Line{Function: f, Line: f.StartLine + int64(1+rng.IntN(80))}
			if len(inl) > 0 && rng.IntN(5) == 0 {
				g := inl[rng.IntN(len(inl))]
				ls[i] = newLoc(profile.Line{Function: g, Line: g.StartLine + int64(1+rng.IntN(20))}, line)
			} else {
				ls[i] = newLoc(line)
			}
		}
		return ls
	}

	pkgs := 200
	fname := func(kind string, i int) (string, string) {
		pkg := i % pkgs
		return fmt.Sprintf("example.com/ecu/svc/pkg%03d.(*%s%d).Method%d", pkg, kind, i/pkgs, i%7),
			fmt.Sprintf("/src/example.com/ecu/svc/pkg%03d/%s%d.go", pkg, kind, i/pkgs%50)
	}
	var helpers []*profile.Function
	for i := 0; i < 300; i++ {
		n, f := fname("Helper", i)
		helpers = append(helpers, newFunc(n, f))
	}
	var siteLocs [][]*profile.Location
	for i := 0; i < *sites; i++ {
		n, f := fname("Site", i)
		siteLocs = append(siteLocs, locsOf(newFunc(n, f), 1+rng.IntN(3), helpers))
	}
	var callerLocs []*profile.Location
	for i := 0; i < *sites/2+500; i++ {
		n, f := fname("Caller", i)
		callerLocs = append(callerLocs, locsOf(newFunc(n, f), 2+rng.IntN(4), helpers)...)
	}
	for _, h := range helpers {
		callerLocs = append(callerLocs, locsOf(h, 2, nil)...)
	}
	mainLoc := newLoc(profile.Line{Function: newFunc("main.main", "/src/example.com/ecu/main.go"), Line: 42})
	rtLoc := newLoc(profile.Line{Function: newFunc("runtime.main", "/usr/local/go/src/runtime/proc.go"), Line: 283})

	// Callers form a layered call graph (layer 0 is called by main): each caller location has a few fixed
	// parents one layer up, so stacks share their outer frames as real ones do and compress like them.
	const layers = 32
	layerOf := make([][]int, layers)
	for i := range callerLocs {
		l := rng.IntN(layers)
		layerOf[l] = append(layerOf[l], i)
	}
	parents := make([][]int, len(callerLocs))
	for l := 1; l < layers; l++ {
		for _, i := range layerOf[l] {
			for k := 0; k < 2; k++ {
				up := layerOf[l-1]
				parents[i] = append(parents[i], up[rng.IntN(len(up))])
			}
		}
	}

	sizes := []int64{8, 16, 32, 48, 64, 96, 128, 256, 512, 1024, 2048, 4096, 8192, 32768}
	for i := 0; i < *samples; i++ {
		// Skewed towards a minority of sites, as real heaps are.
		s := int(float64(*sites) * rng.Float64() * rng.Float64())
		depth := 6 + rng.IntN(layers-6)
		stack := make([]*profile.Location, 0, depth+3)
		stack = append(stack, siteLocs[s][rng.IntN(len(siteLocs[s]))])
		c := layerOf[depth-1][rng.IntN(len(layerOf[depth-1]))]
		for {
			stack = append(stack, callerLocs[c])
			if len(parents[c]) == 0 {
				break
			}
			c = parents[c][rng.IntN(len(parents[c]))]
		}
		stack = append(stack, mainLoc, rtLoc)
		size := sizes[rng.IntN(len(sizes))]
		objs := int64(1 + rng.IntN(2000))
		inuse := objs / int64(1+rng.IntN(4))
		p.Sample = append(p.Sample, &profile.Sample{
			Location: stack,
			Value:    []int64{objs, objs * size, inuse, inuse * size},
			NumLabel: map[string][]int64{"bytes": {size}},
		})
	}

	if err := p.CheckValid(); err != nil {
		fmt.Fprintln(os.Stderr, "invalid profile:", err)
		os.Exit(1)
	}
	var c counter
	if err := p.WriteUncompressed(&c); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := p.Write(f); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	_ = json.NewEncoder(io.Writer(os.Stdout)).Encode(map[string]int64{
		"uncompressedBytes": c.n, "samples": int64(len(p.Sample)), "locations": int64(len(p.Location)), "functions": int64(len(p.Function)),
	})
}
