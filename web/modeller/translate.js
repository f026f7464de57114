// The modeller's and the panel's own texts in Danish (no translation ships for Danish); English is the source.
import DANISH from "./danish.js";

export function translator(language) {
  var table = language === "da" ? DANISH : {};
  return function translate(template, replacements) {
    var text = table[template] || template;
    replacements = replacements || {};
    return text.replace(/{([^}]+)}/g, function (_, key) {
      return replacements[key] !== undefined ? replacements[key] : "{" + key + "}";
    });
  };
}

export default function module(language) {
  return { translate: ["value", translator(language)] };
}
