/* Corrections to survey-core's zh-cn strings, many of them machine translations
   (e.g. "OK" rendered 还行). Loaded after survey-core's i18n/simplified-chinese.js. */
(function () {
  var strings = Survey.surveyLocalization.locales["zh-cn"];
  if (!strings) { return; }
  Object.assign(strings, {
    ok: "确定",
    tagboxDoneButtonCaption: "确定",
    cancel: "取消",
    commentText: "请填写说明",
    otherItemText: "其他（请注明）",
    refuseItemText: "不愿回答",
    selectAllItemText: "全选",
    panelDynamicProgressText: "第 {0} 项，共 {1} 项",
    panelDynamicTabTextFormat: "第 {panelIndex} 项",
    questionsProgressText: "已答 {0}/{1} 题",
    ratingOptionsCaption: "请选择...",
    buttongroupOptionsCaption: "请选择...",
    completingSurvey: "感谢您的填写！",
    completingSurveyBefore: "您已提交过本问卷。",
    requiredError: "此题为必答题",
    requiredErrorInPanel: "请至少回答一题。",
    otherRequiredError: "请填写“其他”的具体内容",
    numericError: "请填写数字",
    invalidEmail: "请填写有效的电子邮箱地址",
    removeRow: "删除",
    loadingPage: "加载中...",
    loadingData: "加载中...",
    loadingFile: "加载中...",
    filterStringPlaceholder: "输入以搜索...",
    emptyMessage: "暂无数据",
    savingData: "正在提交...",
    savingDataError: "提交失败，答卷未保存",
    savingDataSuccess: "提交成功！",
    saveAgainButton: "重试"
  });
})();
