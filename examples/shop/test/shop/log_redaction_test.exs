defmodule Shop.LogRedactionTest do
  # Not async: the filter is global to the node's logger.
  use ExUnit.Case
  import ExUnit.CaptureLog
  require Logger

  alias Shop.LogRedaction

  @password "p@ss:w/rd-7f3a"

  setup do
    LogRedaction.install([@password, nil, ""])
    on_exit(fn -> LogRedaction.install([]) end)
  end

  test "a message naming a secret is logged with the secret replaced" do
    log =
      capture_log(fn -> Logger.error(["connecting with ", "p@ss", ":w/rd-7f3a", " failed"]) end)

    assert log =~ "connecting with [REDACTED] failed"
    refute log =~ "w/rd-7f3a"
  end

  test "a crashing process's state is logged without the secret inside it" do
    # What OTP reports when p1_pgsql's connection stops: its state holds the options.
    state =
      {:state, [host: ~c"db", password: String.to_charlist(@password)],
       %{url: "ecto://u:#{@password}@db/x"}}

    log =
      capture_log(fn ->
        :logger.error(%{label: {:gen_server, :terminate}, state: state}, %{domain: [:otp]})
      end)

    assert log =~ "[REDACTED]"
    refute log =~ @password
  end

  test "terms without secrets pass unchanged, improper lists and structs included" do
    term = {[1, 2 | "tail"], %ArgumentError{message: "no secret"}, ~c"text", self()}
    assert LogRedaction.redact(term, [@password]) == term
  end

  test "a struct's fields are redacted too" do
    assert LogRedaction.redact(%ArgumentError{message: "x #{@password}"}, [@password]).message ==
             "x [REDACTED]"
  end
end
