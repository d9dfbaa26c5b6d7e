module porthole/sandbox

go 1.22
