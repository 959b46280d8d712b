// Benchmarks print numbers; they never assert on time. Run: swift run -c release platform-bench
print("platform-bench: no benchmarks yet")
