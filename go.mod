module goldmine

go 1.26
