module leakhunt.test/heaptextgen

go 1.22
