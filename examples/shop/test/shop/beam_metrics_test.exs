defmodule Shop.BeamMetricsTest do
  use ExUnit.Case, async: true

  alias Shop.BeamMetrics

  test "a sample is the two StatsD gauge lines the stack's agent reads, byte for byte" do
    expected = File.read!(Path.join(__DIR__, "../fixtures/beam_metrics.statsd"))
    assert IO.iodata_to_binary(BeamMetrics.payload(42.5, 7)) == expected
  end

  # `:scheduler.utilization/2`'s result on a node of 2 logical processors (2 normal and 2 dirty
  # CPU schedulers, OTP's defaults there); `total` and `weighted` as OTP's scheduler.erl computes
  # them from the entries: total = the mean of normal and dirty CPU entries (equal wall times),
  # weighted = total x 4 schedulers / 2 logical processors.
  defp utilization(normal, dirty_cpu) do
    entries = Enum.map(normal, &{:normal, &1}) ++ Enum.map(dirty_cpu, &{:cpu, &1})
    total = (entries |> Enum.map(&elem(&1, 1)) |> Enum.sum()) / length(entries)
    weighted = total * length(entries) / 2

    listed =
      entries
      |> Enum.with_index(1)
      |> Enum.map(fn {{type, util}, id} -> {type, id, util, ~c"#{util * 100}%"} end)

    [{:total, total, ~c"total"}, {:weighted, weighted, ~c"weighted"} | listed]
  end

  test "a node whose normal schedulers are all busy reads 100, where OTP's total reads 50" do
    saturated = utilization([1.0, 1.0], [0.0, 0.0])
    assert List.keyfind(saturated, :total, 0) == {:total, 0.5, ~c"total"}
    assert BeamMetrics.normal_utilization(saturated, 2) == 100.0
  end

  test "dirty CPU work does not count: the mean of the normal schedulers only" do
    # (0.5 + 0.25) / 2 = 37.5 %; total would be (0.5 + 0.25 + 1.0 + 0.0) / 4 = 43.75 %
    mixed = utilization([0.5, 0.25], [1.0, 0.0])
    assert {:total, 0.4375, _} = List.keyfind(mixed, :total, 0)
    assert BeamMetrics.normal_utilization(mixed, 2) == 37.5
  end

  test "never past 100, where OTP's weighted reads 200 with every scheduler busy" do
    everything = utilization([1.0, 1.0], [1.0, 1.0])
    assert {:weighted, 2.0, _} = List.keyfind(everything, :weighted, 0)
    assert BeamMetrics.normal_utilization(everything, 2) == 100.0
  end

  test "offline normal schedulers are left out (OTP lists them, idle, after the online ones)" do
    # `+S 2:1`: one scheduler online, busy; scheduler 2 offline
    one_online = utilization([1.0, 0.0], [0.0, 0.0])
    assert BeamMetrics.normal_utilization(one_online, 1) == 100.0
    assert BeamMetrics.normal_utilization(one_online, 2) == 50.0
  end

  test "on this VM, a busy process per online scheduler reads near 100 (and total near half that)" do
    online = :erlang.system_info(:schedulers_online)
    :erlang.system_flag(:scheduler_wall_time, true)
    before = :scheduler.get_sample()
    busy = for _ <- 1..online, do: spawn(fn -> spin() end)
    Process.sleep(300)
    result = :scheduler.utilization(before, :scheduler.get_sample())
    Enum.each(busy, &Process.exit(&1, :kill))

    assert BeamMetrics.normal_utilization(result) > 90.0
    {:total, total, _} = List.keyfind(result, :total, 0)
    normal = :erlang.system_info(:schedulers)
    dirty_cpu = :erlang.system_info(:dirty_cpu_schedulers)
    # at most the normal schedulers' share of all the schedulers `total` averages
    assert total * 100 <= 100 * normal / (normal + dirty_cpu) + 5
  end

  defp spin, do: spin()

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
