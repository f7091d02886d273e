defmodule Shop.Work do
  @moduledoc """
  `GET /work?ms=N`: keeps a scheduler busy for N milliseconds, then answers. Its cost is
  scheduler time and nothing else (no database, no I/O), so load on this route shows in
  SchedulerUtilization and, once requests outnumber schedulers, in TotalRunQueueLength.
  N is bounded so that one request cannot hold a scheduler for long.

  `GET /work?kloops=N`: counts down from N thousand instead, a fixed amount of computation. A spin
  measured by the wall clock costs whatever CPU the node gives it: on a node whose CPU is capped
  (the autoscale lab's nodes have a cgroup quota) a throttled spin still ends on time, having used
  less CPU. A countdown costs the same CPU whatever the cap, and takes longer when the node is short
  of CPU, as a real request does, so a node's capacity is a number of requests per second.
  """

  @max_ms 1_000
  @max_kloops 1_000_000

  @doc "`{:ok, ms}` for a query `ms=N` with N an integer from 1 to #{@max_ms}, else `{:error, why}`."
  def parse(query) do
    with %{"ms" => text} <- URI.decode_query(query || ""),
         {ms, ""} <- Integer.parse(text),
         true <- ms in 1..@max_ms do
      {:ok, ms}
    else
      _ -> {:error, "ms must be an integer from 1 to #{@max_ms}, e.g. /work?ms=50"}
    end
  end

  @doc "`{:ok, n}` for a query `kloops=N` with N an integer from 1 to #{@max_kloops}, else `{:error, why}`."
  def parse_kloops(query) do
    with %{"kloops" => text} <- URI.decode_query(query || ""),
         {n, ""} <- Integer.parse(text),
         true <- n in 1..@max_kloops do
      {:ok, n}
    else
      _ -> {:error, "kloops must be an integer from 1 to #{@max_kloops}, e.g. /work?kloops=3000"}
    end
  end

  @doc "Counts down from `kloops` thousand on the calling process: a fixed amount of CPU."
  def count(kloops), do: count_down(kloops * 1_000)

  defp count_down(0), do: :ok
  defp count_down(n), do: count_down(n - 1)

  @doc "Spins on the calling process's scheduler until `ms` milliseconds have passed."
  def spin(ms),
    do: spin_until(System.monotonic_time() + System.convert_time_unit(ms, :millisecond, :native))

  defp spin_until(deadline) do
    if System.monotonic_time() < deadline, do: spin_until(deadline), else: :ok
  end
end
