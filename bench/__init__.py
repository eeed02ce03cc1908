"""Benchmarks of the assistant: held-out NLU accuracy, REST latency and throughput, training
time and memory, all side by side with stock Rasa's starter bot. Run `python -m bench`.

Figures only: nothing here asserts a time, and nothing runs in the CI tests."""
