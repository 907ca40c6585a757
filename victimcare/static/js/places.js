// Communes offered for a commune box follow the province chosen beside it (victimcare/places/forms.py).
// Without this script the box still works: the server reads the typed name within the province.
"use strict";
document.querySelectorAll("input[data-communes-of]").forEach((input) => {
  const province = document.getElementById(input.dataset.communesOf);
  const list = document.getElementById(input.getAttribute("list"));
  if (!province || !list) return;
  province.addEventListener("change", async () => {
    list.replaceChildren();
    if (!province.value) return;
    const response = await fetch(input.dataset.source + encodeURIComponent(province.value), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (!response.ok) return;
    const names = await response.json();
    for (const name of names) {
      const option = document.createElement("option");
      option.value = name;
      list.appendChild(option);
    }
    if (input.value && !names.includes(input.value)) input.value = "";
  });
});
