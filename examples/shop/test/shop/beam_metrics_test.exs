defmodule Shop.BeamMetricsTest do
  use ExUnit.Case, async: true

  alias Shop.BeamMetrics

  test "a sample is the two StatsD gauge lines the stack's agent reads, byte for byte" do
    expected = File.read!(Path.join(__DIR__, "../fixtures/beam_metrics.statsd"))
    assert IO.iodata_to_binary(BeamMetrics.payload(42.5, 7)) == expected
  end

  test "every interval, one datagram with both gauges reaches the listener" do
    {:ok, listener} = :gen_udp.open(0, [:binary, active: true, ip: {127, 0, 0, 1}])
    {:ok, port} = :inet.port(listener)

    start_supervised!(
      {BeamMetrics,
       host: "127.0.0.1", port: port, interval_ms: 50, name: :beam_metrics_to_listener}
    )

    assert_receive {:udp, ^listener, _ip, _port, datagram}, 2_000

    assert [
             "SchedulerUtilization:" <> utilization,
             "TotalRunQueueLength:" <> run_queue
           ] = String.split(datagram, "\n")

    {percent, "|g"} = Float.parse(utilization)
    assert percent >= 0.0 and percent <= 100.0
    assert {n, "|g"} = Integer.parse(run_queue)
    assert n >= 0
  end

  test "with nothing listening, sending fails quietly and the process keeps sampling" do
    # A port nobody listens on: bind one, note it, close it.
    {:ok, closed} = :gen_udp.open(0, ip: {127, 0, 0, 1})
    {:ok, port} = :inet.port(closed)
    :gen_udp.close(closed)

    assert_keeps_sampling("127.0.0.1", port, :beam_metrics_to_nobody)
  end

  test "an unresolvable host does not crash it either" do
    assert_keeps_sampling("no-such-host.invalid", 8125, :beam_metrics_nowhere)
  end

  test "an address the socket cannot send to is a failed send, not a crash" do
    assert_keeps_sampling("127.0.0.1", 70_000, :beam_metrics_bad_port)
  end

  test "without a listener configured it does not start" do
    assert BeamMetrics.start_link(nil) == :ignore
  end

  # Ten ticks of 20 ms against `host:port`: every send fails, the process is still there.
  defp assert_keeps_sampling(host, port, name) do
    pid = start_supervised!({BeamMetrics, host: host, port: port, interval_ms: 20, name: name})
    Process.sleep(200)
    assert Process.alive?(pid)
  end
end
