module compilerd/runner

go 1.24
