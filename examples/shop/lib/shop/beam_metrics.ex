defmodule Shop.BeamMetrics do
  @moduledoc """
  The BEAM's load, every `@interval_ms`, as StatsD gauges to the CloudWatch agent's listener
  on `STATSD_HOST:STATSD_PORT` (the bootstrap sets both; docs/elixir-application.md,
  "5. BEAM metrics"):

      SchedulerUtilization:<percent>|g
      TotalRunQueueLength:<processes>|g

  one datagram, the two lines joined by a newline (`payload/2`; the bytes are fixed in
  test/fixtures/beam_metrics.statsd, which the stack's own tests feed to their agent).

  - SchedulerUtilization: `:scheduler.utilization/2` between the sample taken at the last
    tick and this one, so it covers the whole interval and never blocks (the one-argument
    form sleeps for its sample). Its `total` is the busy share of the normal *and dirty CPU*
    schedulers (OTP's scheduler module: "Total utilization of all normal and dirty-cpu
    schedulers"); wall-time accounting stays on while this process lives, as OTP asks.
  - TotalRunQueueLength: `:erlang.statistics(:total_run_queue_lengths)`, processes and
    ports waiting in the normal and dirty CPU run queues.

  UDP is fire-and-forget: with nothing listening (the agent not started yet, or
  restarting) a send fails and the sample is dropped; nothing crashes, nothing waits.
  Without `STATSD_HOST`/`STATSD_PORT` (a build or `mix test`) the process does not start.
  """
  use GenServer
  require Logger

  @interval_ms 10_000

  @doc "`{host, port}` of the StatsD listener, or nil: the process is then not started."
  def start_link(nil), do: :ignore

  def start_link(opts),
    do: GenServer.start_link(__MODULE__, opts, name: Keyword.get(opts, :name, __MODULE__))

  @doc "The datagram for one sample: what the CloudWatch agent's StatsD listener reads."
  def payload(utilization_percent, run_queue) do
    [
      "SchedulerUtilization:",
      :erlang.float_to_binary(utilization_percent / 1, decimals: 2),
      "|g\nTotalRunQueueLength:",
      Integer.to_string(run_queue),
      "|g"
    ]
  end

  @impl true
  def init(opts) do
    :erlang.system_flag(:scheduler_wall_time, true)
    {:ok, socket} = :gen_udp.open(0, [:binary])
    interval = Keyword.get(opts, :interval_ms, @interval_ms)

    state = %{
      socket: socket,
      host: opts |> Keyword.fetch!(:host) |> String.to_charlist(),
      port: Keyword.fetch!(opts, :port),
      interval: interval,
      sample: :scheduler.get_sample(),
      failing: false
    }

    Process.send_after(self(), :tick, interval)
    {:ok, state}
  end

  @impl true
  def handle_info(:tick, state) do
    sample = :scheduler.get_sample()

    {:total, busy, _percent} =
      List.keyfind(:scheduler.utilization(state.sample, sample), :total, 0)

    run_queue = :erlang.statistics(:total_run_queue_lengths)
    sent = send_datagram(state, payload(busy * 100, run_queue))
    Process.send_after(self(), :tick, state.interval)
    {:noreply, %{state | sample: sample, failing: note_failure(sent, state)}}
  end

  # A refused datagram surfaces on the socket as a message (ICMP port unreachable): drop it.
  def handle_info({:udp_error, _socket, _reason}, state), do: {:noreply, state}
  def handle_info(_other, state), do: {:noreply, state}

  # A send that raises (an address inet cannot use) is a failed send too: never a crash.
  defp send_datagram(state, datagram) do
    :gen_udp.send(state.socket, state.host, state.port, datagram)
  catch
    :error, reason -> {:error, reason}
  end

  # Say once when sending starts failing and once when it recovers, not every 10 s.
  defp note_failure(:ok, %{failing: true}) do
    Logger.info("BEAM metrics reach the StatsD listener again")
    false
  end

  defp note_failure(:ok, _state), do: false

  defp note_failure({:error, reason}, %{failing: false} = state) do
    Logger.warning("BEAM metrics not sent to #{state.host}:#{state.port}: #{inspect(reason)}")
    true
  end

  defp note_failure({:error, _reason}, _state), do: true
end
