"use client";

import { startTransition, useActionState, type FormEvent } from "react";
import type { ActionResult } from "@/lib/auth/guards";

/**
 * Runs a server action from a form without React's automatic reset: a `<form action>` clears
 * every field after submitting, which would throw away what the operator typed whenever the
 * server refuses it. Submitting through onSubmit keeps the fields as they were.
 */
export function useFormAction<T>(action: (input: FormData) => Promise<ActionResult<T>>) {
  const [result, dispatch, pending] = useActionState((_: ActionResult<T> | null, form: FormData) => action(form), null);
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    startTransition(() => dispatch(form));
  };
  return { result, onSubmit, pending, errors: result && !result.ok ? result.errors : undefined };
}
