module leakhunt.test/goroutineleakgen

go 1.26
