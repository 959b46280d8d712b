// Benchmarks print numbers; they never assert on time. Run: swift run -c release platform-bench
HelmBench.run()
