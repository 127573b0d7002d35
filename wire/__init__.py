"""The wire kernel: contract, config, clock, client and the vocabulary every room shares."""
