module example.com/pprof-prefix-demo

go 1.22
