module example.com/leak-targets

go 1.22
