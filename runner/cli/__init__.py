"""The thin click layer: parse, call one core function, render, return an exit code."""
