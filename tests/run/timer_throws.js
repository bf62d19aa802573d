setTimeout(() => { throw new Error("thrown in a timer"); }, 1);
setTimeout(() => console.log("not reached"), 20);
