"""The terminal user interface and the command line of shuping."""
