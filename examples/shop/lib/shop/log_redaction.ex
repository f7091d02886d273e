defmodule Shop.LogRedaction do
  @moduledoc """
  Keeps the release's secrets out of its logs: a primary logger filter that replaces every
  secret value, wherever it appears in a log event, with `#{inspect("[REDACTED]")}`.

  Why a filter and not care: a process that crashes is logged with its state, and
  p1_pgsql's connection process holds the database password in its state, so the first
  dropped connection would write the password to the journal. The filter sees each event
  before any handler formats it, so it covers reports from OTP and libraries too.
  """

  @filter_id :shop_log_redaction
  @redacted "[REDACTED]"

  @doc "From now on, no log event carries any of `secrets` (nil and empty ones are skipped)."
  def install(secrets) do
    secrets = Enum.reject(secrets, &(&1 in [nil, ""]))
    _ = :logger.remove_primary_filter(@filter_id)
    :ok = :logger.add_primary_filter(@filter_id, {&__MODULE__.filter/2, secrets})
  end

  @doc false
  # logger's filter callback: the event with every secret replaced.
  def filter(event, []), do: event

  def filter(%{msg: msg, meta: meta} = event, secrets) do
    %{event | msg: redact_message(msg, secrets), meta: redact(meta, secrets)}
  rescue
    # An event the filter cannot read is dropped: losing a line beats leaking a secret.
    _ -> :stop
  end

  # A string message may be chardata whose fragments split a secret: join it first.
  defp redact_message({:string, chardata}, secrets) do
    case :unicode.characters_to_binary(chardata) do
      text when is_binary(text) -> {:string, redact(text, secrets)}
      _not_unicode -> {:string, redact(chardata, secrets)}
    end
  end

  defp redact_message(msg, secrets), do: redact(msg, secrets)

  @doc "`term` with every occurrence of each secret replaced, in strings, charlists and inside any data structure."
  def redact(term, secrets) when is_binary(term) do
    if String.contains?(term, secrets), do: String.replace(term, secrets, @redacted), else: term
  end

  def redact([], _secrets), do: []

  def redact(list, secrets) when is_list(list) do
    if :io_lib.printable_unicode_list(list) do
      text = List.to_string(list)

      if String.contains?(text, secrets),
        do: String.to_charlist(redact(text, secrets)),
        else: list
    else
      redact_elements(list, secrets)
    end
  end

  def redact(tuple, secrets) when is_tuple(tuple) do
    tuple |> Tuple.to_list() |> redact_elements(secrets) |> List.to_tuple()
  end

  # :maps.map, not Map.new: structs (exceptions in crash reports) are not enumerable.
  def redact(map, secrets) when is_map(map),
    do: :maps.map(fn _key, value -> redact(value, secrets) end, map)

  def redact(other, _secrets), do: other

  # Element by element, improper tails (iodata) included.
  defp redact_elements([head | tail], secrets),
    do: [redact(head, secrets) | redact_elements(tail, secrets)]

  defp redact_elements([], _secrets), do: []
  defp redact_elements(tail, secrets), do: redact(tail, secrets)
end
