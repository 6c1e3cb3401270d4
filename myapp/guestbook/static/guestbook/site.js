// Shows how many characters are left in the message field.
document.addEventListener("DOMContentLoaded", () => {
  const field = document.querySelector("textarea[name=message]");
  if (!field) return;
  const counter = document.createElement("div");
  counter.className = "counter";
  const update = () => { counter.textContent = `${field.maxLength - field.value.length} characters left`; };
  field.after(counter);
  field.addEventListener("input", update);
  update();
});
