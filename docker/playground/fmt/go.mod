module compilerd/playfmt

go 1.24
