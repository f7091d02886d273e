defmodule Shop.BeamMetrics do
  @moduledoc """
  The BEAM's load, every `@interval_ms`, as StatsD gauges to the CloudWatch agent's listener
  on `STATSD_HOST:STATSD_PORT` (the bootstrap sets both; docs/elixir-application.md,
  "5. BEAM metrics"):

      SchedulerUtilization:<percent>|g
      TotalRunQueueLength:<processes>|g

  one datagram, the two lines joined by a newline (`payload/2`; the bytes are fixed in
  test/fixtures/beam_metrics.statsd, which the stack's own tests feed to their agent).

  - SchedulerUtilization: the percent of time the schedulers that run Elixir code were busy,
    0-100: the mean of the online normal schedulers' entries of `:scheduler.utilization/2`
    between the sample taken at the last tick and this one (`normal_utilization/2`), so it
    covers the whole interval and never blocks (the one-argument form sleeps for its sample).
    Wall-time accounting stays on while this process lives, as OTP asks.
    Not `total`: OTP's runtime_tools/src/scheduler.erl computes it as the summed active time
    of the normal *and dirty CPU* schedulers over their summed wall time. There are as many
    dirty CPU schedulers as normal ones, idle unless a NIF runs dirty, so a node whose normal
    schedulers are all busy reads about 50 %. Not `weighted` either: `total` x (normal + dirty
    CPU schedulers) / logical processors, which reads 100 % for the same node and up to
    200 % once dirty CPU work runs too.
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

  @doc """
  The busy share of the online normal schedulers, in percent (0-100), from the list
  `:scheduler.utilization/2` returns: the mean of its `{:normal, id, util, percent}` entries
  with `id <= online`.

  Normal schedulers run every Elixir process; `total` and `weighted` also count the dirty CPU
  schedulers (the moduledoc says why neither is the figure). The list holds the offline
  normal schedulers too (OTP: "Schedulers that are not online will also be included. Online
  schedulers have the lowest SchedulerId"); they do no work, so counting them would dilute
  the figure: a node started with `+S 2:1` and kept busy lists scheduler 1 at 100 % and
  scheduler 2 at 0 %.
  """
  def normal_utilization(utilization, online \\ :erlang.system_info(:schedulers_online)) do
    busy = for {:normal, id, util, _percent} <- utilization, id <= online, do: util

    case busy do
      [] -> 0.0
      _ -> Enum.sum(busy) / length(busy) * 100
    end
  end

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

    busy = normal_utilization(:scheduler.utilization(state.sample, sample))
    run_queue = :erlang.statistics(:total_run_queue_lengths)
    sent = send_datagram(state, payload(busy, run_queue))
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
