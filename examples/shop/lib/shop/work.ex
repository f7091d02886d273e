defmodule Shop.Work do
  @moduledoc """
  `GET /work?ms=N`: keeps a scheduler busy for N milliseconds, then answers. Its cost is
  scheduler time and nothing else (no database, no I/O), so load on this route shows in
  SchedulerUtilization and, once requests outnumber schedulers, in TotalRunQueueLength.
  N is bounded so that one request cannot hold a scheduler for long.
  """

  @max_ms 1_000

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

  @doc "Spins on the calling process's scheduler until `ms` milliseconds have passed."
  def spin(ms),
    do: spin_until(System.monotonic_time() + System.convert_time_unit(ms, :millisecond, :native))

  defp spin_until(deadline) do
    if System.monotonic_time() < deadline, do: spin_until(deadline), else: :ok
  end
end
