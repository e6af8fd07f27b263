import { useEffect, useState } from "preact/hooks";
import { api, describeError } from "../api/api-client";
import type { Instance } from "../api/types";

interface ControlsProps {
  readonly instance: Instance;
  readonly onChanged: (instance: Instance) => void;
}

interface Outcome {
  readonly ok: boolean;
  readonly text: string;
}

function instanceUrl(instance: Instance, action: "weight" | "drain"): string {
  return `/api/instances/${encodeURIComponent(instance.id)}/${action}`;
}

/** Weight (number input + Save) and Drain/Undrain for one instance. */
export function InstanceControls({ instance, onChanged }: ControlsProps) {
  const [weight, setWeight] = useState(String(instance.weight));
  const [editing, setEditing] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  // Refreshes show the registry's weight unless the operator is typing one.
  useEffect(() => {
    if (!editing) setWeight(String(instance.weight));
  }, [instance.weight, editing]);

  const run = async (action: () => Promise<{ instance: Instance }>, done: string) => {
    setBusy(true);
    try {
      const answer = await action();
      onChanged(answer.instance);
      setEditing(false);
      setOutcome({ ok: true, text: done });
    } catch (err) {
      setOutcome({ ok: false, text: describeError(err) });
    } finally {
      setBusy(false);
    }
  };

  const saveWeight = (event: Event) => {
    event.preventDefault();
    const value = Number(weight);
    if (!Number.isInteger(value) || value < 0 || value > 1000) {
      setOutcome({ ok: false, text: "Weight must be a whole number from 0 to 1000." });
      return;
    }
    void run(
      () =>
        api(instanceUrl(instance, "weight"), { method: "POST", body: { weight: value } }),
      `Weight set to ${value}.`,
    );
  };

  const toggleDrain = () => {
    const draining = !instance.draining;
    void run(
      () => api(instanceUrl(instance, "drain"), { method: "POST", body: { draining } }),
      draining ? "Draining: no new calls go to this instance." : "Taking traffic again.",
    );
  };

  return (
    <div class="controls">
      <form class="weight-form" onSubmit={saveWeight}>
        <label for="weight-input">Weight (0–1000)</label>
        <input
          id="weight-input"
          type="number"
          min={0}
          max={1000}
          step={1}
          required
          value={weight}
          onInput={(e) => {
            setEditing(true);
            setWeight(e.currentTarget.value);
          }}
        />
        <button type="submit" disabled={busy}>
          Save
        </button>
      </form>
      <button type="button" class="secondary" onClick={toggleDrain} disabled={busy}>
        {instance.draining ? "Undrain" : "Drain"}
      </button>
      <p class={outcome?.ok === false ? "form-error" : "form-ok"} role="status">
        {outcome?.text ?? ""}
      </p>
    </div>
  );
}
