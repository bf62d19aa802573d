console.log("before");
throw new Error("boom from the top level");
