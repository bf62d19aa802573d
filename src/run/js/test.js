// Deno.test and the runner behind `ffic test`, with `deno test`'s report:
// "running N tests from ./file", a line per test and step with its time,
// captured output between markers, the ERRORS and FAILURES sections, and
// the summary line. Each file is imported and its tests run before the
// next file loads. Evaluates to a function called with (natives, host)
// that gives `{ test, runTests }`; `host` gives `observeOutput(fn)` (fn is
// called before each console output).
(function tests(natives, host) {
  "use strict";

  const registered = [];
  const write = (text) => natives.write(text);

  // The caller's location, "./file:line:col" as Deno shows it.
  function callerLocation(skip) {
    const holder = {};
    Error.captureStackTrace(holder, skip);
    const frame = holder.stack.split("\n").find((line) => line.startsWith("    at "));
    const match = frame && /\(?([^\s()]+):(\d+):(\d+)\)?$/.exec(frame);
    return match ? `${natives.shownPath(match[1])}:${match[2]}:${match[3]}` : "";
  }

  // Deno.test's overloads: (definition), (fn), (name, fn), (name, options,
  // fn), (options, fn).
  function definition(args) {
    const [a, b, c] = args;
    let def;
    if (typeof a === "string") {
      def = typeof b === "function" ? { fn: b } : { ...b, fn: c };
      def.name = a;
    } else if (typeof a === "function") {
      def = { fn: a, name: a.name };
    } else if (typeof a === "object" && a !== null) {
      def = typeof b === "function" ? { ...a, fn: b, name: a.name ?? b.name } : { ...a };
    } else {
      throw new TypeError("The test definition must be an object, a function or a name");
    }
    if (typeof def.fn !== "function") throw new TypeError("Missing test function");
    if (!def.name) throw new TypeError("The test name can't be empty");
    return def;
  }
  function register(args, extra) {
    const def = { ...definition(args), ...extra };
    registered.push({
      name: def.name,
      fn: def.fn,
      ignore: Boolean(def.ignore),
      only: Boolean(def.only),
      permissions: def.permissions,
      location: callerLocation(test),
    });
  }
  function test(...args) {
    register(args, {});
  }
  test.ignore = function ignore(...args) {
    register(args, { ignore: true });
  };
  test.only = function only(...args) {
    register(args, { only: true });
  };

  // Deno's durations: µs under a millisecond where a test's time is shown.
  function elapsed(ms, micro) {
    if (micro && ms < 1) return `${Math.floor(ms * 1000)}µs`;
    if (ms < 1000) return `${Math.floor(ms)}ms`;
    if (ms < 60000) return `${Math.floor(ms / 1000)}s`;
    return `${Math.floor(ms / 60000)}m${Math.floor((ms % 60000) / 1000)}s`;
  }
  const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

  // The report's state: whether a "name ..." line awaits its result, and
  // whether the running test's output has started.
  let lineOpen = false;
  let interrupted = false;
  let outputStarted = false;
  function breakLine() {
    if (lineOpen) {
      write("\n");
      lineOpen = false;
      interrupted = true;
    }
  }

  // Output while a file loads is "pre-test output"; during a test, its own.
  let loading = false;
  let preOutput = false;
  let currentUrl = "";
  function observe() {
    if (loading) {
      if (!preOutput) write("------- pre-test output -------\n");
      preOutput = true;
    } else if (!outputStarted) {
      breakLine();
      write("------- output -------\n");
      outputStarted = true;
    }
  }

  const counts = { passed: 0, failed: 0, ignored: 0, filtered: 0, passedSteps: 0, failedSteps: 0, ignoredSteps: 0 };
  const failures = [];

  // Runs `fn(context)`, and `t.step`s inside it; true if it passed.
  async function runStep(parents, name, fn, location, depth) {
    const indent = "  ".repeat(depth);
    breakLine();
    write(`${indent}${name} ...`);
    lineOpen = true;
    interrupted = false;
    const started = natives.now();
    let failedSteps = 0;
    let error;
    let threw = false;
    const context = {
      name,
      origin: currentUrl,
      async step(stepName, stepFn = undefined) {
        let def;
        if (typeof stepName === "object" && stepName !== null) def = stepName;
        else if (typeof stepName === "function") def = { name: stepName.name, fn: stepName };
        else def = { name: String(stepName), fn: stepFn };
        const stepLocation = callerLocation(context.step);
        if (def.ignore) {
          breakLine();
          write(`${"  ".repeat(depth + 1)}${def.name} ... ignored (0ms)\n`);
          counts.ignoredSteps++;
          return false;
        }
        const ok = await runStep([...parents, name], def.name, def.fn, stepLocation, depth + 1);
        if (ok) counts.passedSteps++;
        else {
          counts.failedSteps++;
          failedSteps++;
        }
        return ok;
      },
    };
    try {
      await fn(context);
    } catch (e) {
      threw = true;
      error = e;
    }
    const time = elapsed(natives.now() - started, depth === 0);
    if (depth === 0 && outputStarted) {
      write("----- output end -----\n");
      outputStarted = false;
      interrupted = true;
    }
    if (interrupted || !lineOpen) {
      breakLine();
      write(`${indent}${name} ...`);
    }
    const passed = !threw && failedSteps === 0;
    if (passed) write(` ok (${time})\n`);
    else if (threw) write(` FAILED (${time})\n`);
    else write(` FAILED (due to ${plural(failedSteps, "failed step")}) (${time})\n`);
    lineOpen = false;
    interrupted = true;
    if (threw) failures.push({ label: [...parents, name].join(" ... "), location, error });
    return passed;
  }

  // A test with its permissions for its duration, "Can't escalate" failing
  // it as in Deno.
  async function runTest(entry) {
    const restricted = entry.permissions !== undefined && entry.permissions !== "inherit";
    // Called through a variable, so the stack names the test function as
    // Deno's does (not as a method of the entry).
    const { fn } = entry;
    const apply = (context) => {
      if (restricted) natives.pushPermissions(JSON.stringify(entry.permissions === "none" ? {} : entry.permissions));
      return fn(context);
    };
    try {
      return await runStep([], entry.name, apply, entry.location, 0);
    } finally {
      if (restricted) natives.popPermissions();
    }
  }

  function matches(filter, name) {
    if (filter === undefined) return true;
    const regex = /^\/(.*)\/$/.exec(filter);
    return regex ? new RegExp(regex[1]).test(name) : name.includes(filter);
  }

  // Runs every file's tests ([url, shown] pairs, in order); gives the exit
  // status.
  async function runTests(files, filter) {
    const started = natives.now();
    let onlyUsed = false;
    host.observeOutput(observe);
    for (const [url, shown] of files) {
      registered.length = 0;
      currentUrl = url;
      loading = true;
      preOutput = false;
      try {
        await import(url);
      } finally {
        loading = false;
      }
      if (preOutput) write("----- pre-test output end -----\n");
      const only = registered.some((entry) => entry.only);
      onlyUsed ||= only;
      const selected = registered.filter((entry) => (!only || entry.only) && matches(filter, entry.name));
      counts.filtered += registered.length - selected.length;
      if (selected.length === 0) continue;
      write(`running ${plural(selected.length, "test")} from ${shown}\n`);
      for (const entry of selected) {
        if (entry.ignore) {
          write(`${entry.name} ... ignored (0ms)\n`);
          counts.ignored++;
          continue;
        }
        if (await runTest(entry)) counts.passed++;
        else counts.failed++;
      }
    }
    if (failures.length > 0) {
      write("\n ERRORS \n\n");
      for (const { label, location, error } of failures) {
        if (error === undefined) continue;
        write(`${label} => ${location}\n`);
        write(`error: ${natives.describeError(error)}\n\n`);
      }
      write(" FAILURES \n\n");
      for (const { label, location } of failures) write(`${label} => ${location}\n`);
      write("\n");
    } else {
      write("\n");
    }
    const steps = (n) => (n > 0 ? ` (${plural(n, "step")})` : "");
    let summary = `${counts.failed > 0 ? "FAILED" : "ok"} | ${counts.passed} passed${steps(counts.passedSteps)} | ${counts.failed} failed${steps(counts.failedSteps)}`;
    if (counts.ignored > 0) summary += ` | ${counts.ignored} ignored${steps(counts.ignoredSteps)}`;
    if (counts.filtered > 0) summary += ` | ${counts.filtered} filtered out`;
    write(`${summary} (${elapsed(natives.now() - started, false)})\n\n`);
    if (counts.failed > 0) {
      natives.print("error: Test failed", true);
      return 1;
    }
    if (onlyUsed) {
      natives.print('error: Test failed because the "only" option was used', true);
      return 1;
    }
    return 0;
  }

  return { test, runTests };
});
