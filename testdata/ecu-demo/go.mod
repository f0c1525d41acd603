module example.com/ecu-demo

go 1.22
