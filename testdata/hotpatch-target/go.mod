module example.com/hotpatch-target

go 1.22
